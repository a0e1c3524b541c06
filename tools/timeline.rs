//! Pictures of concurrency: `{{#timeline path caption="…" [compare=path]}}` draws, as an inline
//! SVG, which step of a program was in progress when.
//!
//! The picture is drawn from a listing's `timeline.txt`, which the book's output check records
//! from the program's real run: one line per line the program printed, `<seconds> <lane>:
//! <text>`. A lane is the text before the colon ("Coffee"); its bar runs from its first line
//! to its last.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::figures::escape;

/// One recorded line.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seconds: f64,
    pub lane: String,
    pub text: String,
}

/// The lane order a timeline asks for with a `# lanes: A, B, C` comment, if any.
pub fn lane_order(text: &str) -> Option<Vec<String>> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix("# lanes:"))
        .map(|lanes| {
            lanes
                .split(',')
                .map(|lane| lane.trim().to_string())
                .collect()
        })
}

/// Reads a `timeline.txt`; `#` starts a comment line.
pub fn parse(text: &str) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (seconds, rest) = line
            .split_once(' ')
            .ok_or_else(|| format!("line {}: expected `<seconds> <lane>: <text>`", index + 1))?;
        let seconds: f64 = seconds
            .parse()
            .map_err(|_| format!("line {}: `{seconds}` is not a time in seconds", index + 1))?;
        // A line with no "Lane:" prefix (a closing summary, say) is kept but gets no bar.
        let (lane, text) = rest.split_once(':').unwrap_or(("", rest));
        events.push(Event {
            seconds,
            lane: lane.trim().to_string(),
            text: text.trim().to_string(),
        });
    }
    if events.is_empty() {
        return Err("the timeline has no events".to_string());
    }
    Ok(events)
}

/// A lane's span: from its first event to its last.
struct Span<'a> {
    lane: &'a str,
    from: f64,
    to: f64,
    first: &'a str,
    last: &'a str,
}

fn spans(events: &[Event]) -> Vec<Span<'_>> {
    let mut spans: Vec<Span> = Vec::new();
    for event in events.iter().filter(|e| !e.lane.is_empty()) {
        match spans.iter_mut().find(|s| s.lane == event.lane) {
            Some(span) => {
                span.to = event.seconds;
                span.last = &event.text;
            }
            None => spans.push(Span {
                lane: &event.lane,
                from: event.seconds,
                to: event.seconds,
                first: &event.text,
                last: &event.text,
            }),
        }
    }
    spans
}

const WIDTH: f64 = 640.0;
const LABEL: f64 = 80.0;
const RIGHT: f64 = 70.0;
const ROW: f64 = 26.0;
const TITLE: f64 = 22.0;
const AXIS: f64 = 26.0;

/// Draws one or more timelines, one panel each, on a shared time axis.
pub fn render(panels: &[(String, Vec<Event>)], caption: &str) -> String {
    let end = panels
        .iter()
        .flat_map(|(_, events)| events.iter().map(|e| e.seconds))
        .fold(0.0_f64, f64::max)
        .max(0.001);
    let step = nice_step(end);
    let plot = WIDTH - LABEL - RIGHT;
    let x = |seconds: f64| LABEL + plot * seconds / end;
    let mut height = 8.0;
    for (_, events) in panels {
        height += TITLE + ROW * spans(events).len() as f64 + 6.0;
    }
    height += AXIS;

    let mut summary = String::new();
    for (title, events) in panels {
        let _ = write!(summary, "{title}: ");
        let parts: Vec<String> = spans(events)
            .iter()
            .map(|s| format!("{} from {} to {}", s.lane, seconds(s.from), seconds(s.to)))
            .collect();
        let _ = write!(summary, "{}. ", parts.join("; "));
    }

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"{}\">",
        escape(caption)
    );
    let _ = write!(
        svg,
        "<title>{}</title><desc>{}</desc>",
        escape(caption),
        escape(summary.trim())
    );
    let mut y = 8.0;
    for (title, events) in panels {
        let _ = write!(
            svg,
            "<text class=\"timeline-title\" x=\"0\" y=\"{:.1}\">{}</text>",
            y + 14.0,
            escape(title)
        );
        y += TITLE;
        for (index, span) in spans(events).iter().enumerate() {
            let lane_class = format!("timeline-lane-{}", index % 4);
            let _ = write!(
                svg,
                "<text class=\"timeline-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                LABEL - 8.0,
                y + 17.0,
                escape(span.lane)
            );
            let (from, to) = (x(span.from), x(span.to));
            let _ = write!(
                svg,
                "<rect class=\"timeline-bar {lane_class}\" x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" rx=\"3\">\
                 <title>{}: {} at {}, {} at {}</title></rect>",
                y + 5.0,
                (to - from).max(3.0),
                escape(span.lane),
                escape(span.first),
                seconds(span.from),
                escape(span.last),
                seconds(span.to)
            );
            let _ = write!(
                svg,
                "<text class=\"timeline-note\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                to.max(from + 3.0) + 6.0,
                y + 17.0,
                if span.to > span.from {
                    seconds(span.to - span.from)
                } else {
                    "at once".to_string()
                }
            );
            y += ROW;
        }
        y += 6.0;
    }
    // The time axis, with a tick per step.
    let _ = write!(
        svg,
        "<line class=\"timeline-axis\" x1=\"{LABEL}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
        LABEL + plot
    );
    let mut tick = 0.0;
    while tick <= end + 1e-9 {
        let at = x(tick);
        let _ = write!(
            svg,
            "<line class=\"timeline-axis\" x1=\"{at:.1}\" y1=\"{y:.1}\" x2=\"{at:.1}\" y2=\"{:.1}\"/>\
             <text class=\"timeline-tick\" x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y + 4.0,
            y + 17.0,
            seconds(tick)
        );
        tick += step;
    }
    svg.push_str("</svg>");
    svg
}

fn nice_step(end: f64) -> f64 {
    let raw = end / 6.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn seconds(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0} s")
    } else if rounded >= 1.0 {
        format!("{rounded} s")
    } else {
        format!("{:.0} ms", rounded * 1000.0)
    }
}

/// The figure that `{{#timeline}}` becomes: the picture and its caption. `files` are the
/// timelines with the titles of their panels.
pub fn figure(files: &[(String, &Path)], caption: &str) -> Result<String, String> {
    let mut panels = Vec::new();
    for (title, path) in files {
        let text =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut events = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(order) = lane_order(&text) {
            // Lanes are drawn in the order of their first events; a stable sort by the asked
            // order keeps each lane's events in time order and puts the lanes as asked.
            let rank = |lane: &str| order.iter().position(|l| l == lane).unwrap_or(order.len());
            events.sort_by_key(|event| rank(&event.lane));
        }
        panels.push((title.clone(), events));
    }
    Ok(format!(
        // On a narrow screen the picture keeps a readable size and scrolls sideways; the frame
        // takes focus so that a keyboard can scroll it too.
        "<figure class=\"timeline-figure\">\n<div class=\"timeline-frame\" tabindex=\"0\">{}</div>\n\
         <figcaption>{}</figcaption>\n</figure>\n\n",
        render(&panels, caption),
        escape(caption)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOINED: &str = "# recorded\n0.000 Coffee: brewing...\n0.000 Pastry: baking...\n2.000 Coffee: ready\n3.000 Pastry: ready\n";

    #[test]
    fn reads_events_into_lanes() {
        let events = parse(JOINED).unwrap();
        assert_eq!(events.len(), 4);
        assert_eq!(
            events[2],
            Event {
                seconds: 2.0,
                lane: "Coffee".into(),
                text: "ready".into()
            }
        );
        let lanes = spans(&events);
        assert_eq!(lanes.len(), 2);
        assert_eq!((lanes[0].from, lanes[0].to), (0.0, 2.0));
        assert_eq!((lanes[1].from, lanes[1].to), (0.0, 3.0));
        assert!(parse("").is_err());
        let with_summary =
            parse("0 Coffee: brewing\n2 Coffee: ready\n2 Breakfast served after 2.0s\n").unwrap();
        assert_eq!(with_summary[2].lane, "");
        assert_eq!(spans(&with_summary).len(), 1);
        assert!(parse("soon Coffee: ready").is_err());
    }

    #[test]
    fn draws_a_bar_per_lane_on_one_axis() {
        let events = parse(JOINED).unwrap();
        let svg = render(&[("joined".into(), events)], "Coffee and pastry, joined");
        assert_eq!(svg.matches("<rect class=\"timeline-bar").count(), 2);
        assert!(svg.contains("aria-label=\"Coffee and pastry, joined\""));
        assert!(svg.contains("Coffee from 0 s to 2 s; Pastry from 0 s to 3 s"));
        // The pastry's bar is half as long again as the coffee's.
        let widths: Vec<f64> = svg
            .match_indices("width=\"")
            .map(|(at, m)| {
                svg[at + m.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!((widths[1] / widths[0] - 1.5).abs() < 0.01, "{widths:?}");
        assert!(svg.contains(">3 s</text>"));
    }

    #[test]
    fn a_timeline_may_order_its_lanes() {
        let text = "# lanes: Producer, Consumer\n0.1 Consumer: got 1\n0.0 Producer: sends 1\n0.2 Consumer: got 2\n";
        assert_eq!(lane_order(text).unwrap(), ["Producer", "Consumer"]);
        let dir = std::env::temp_dir().join(format!("timeline-order-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("timeline.txt");
        fs::write(&file, text).unwrap();
        let svg = figure(&[("queue".into(), &file)], "order").unwrap();
        fs::remove_dir_all(&dir).unwrap();
        let producer = svg.find(">Producer<").unwrap();
        let consumer = svg.find(">Consumer<").unwrap();
        assert!(producer < consumer, "the producer's lane is drawn first");
        assert!(svg.contains("Consumer from 100 ms to 200 ms"));
    }

    #[test]
    fn times_are_written_for_people() {
        assert_eq!(seconds(3.0), "3 s");
        assert_eq!(seconds(0.25), "250 ms");
        assert_eq!(seconds(2.5), "2.5 s");
        assert_eq!(nice_step(5.0), 1.0);
        assert_eq!(nice_step(0.3), 0.05);
    }
}
