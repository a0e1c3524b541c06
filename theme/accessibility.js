// Small accessibility repairs on top of mdBook's page, checked by the browser tests (axe-core).
(function () {
    'use strict';

    // mdBook's sidebar toggle is a <label> with aria-expanded and aria-controls, which only a
    // button may carry. It behaves as a button, so say so.
    const toggle = document.getElementById('mdbook-sidebar-toggle');
    if (toggle) {
        toggle.setAttribute('role', 'button');
    }

    // A code block wider than the page scrolls sideways; a keyboard user can only scroll what
    // can take focus.
    function makeScrollableFocusable() {
        document.querySelectorAll('pre > code').forEach(function (code) {
            const scrolls = code.scrollWidth > code.clientWidth || code.parentElement.scrollWidth > code.parentElement.clientWidth;
            if (scrolls) {
                const target = code.scrollWidth > code.clientWidth ? code : code.parentElement;
                target.setAttribute('tabindex', '0');
            }
        });
    }
    makeScrollableFocusable();
    window.addEventListener('resize', makeScrollableFocusable);

    // The next and previous links say where they lead: "Next: Queues", as their tooltip and
    // accessible name, and in words beside the arrows at the foot of the page.
    function chapterName(href) {
        const target = new URL(href, document.baseURI).pathname;
        const links = document.querySelectorAll('#mdbook-sidebar a[href], mdbook-sidebar-scrollbox a[href]');
        for (const link of links) {
            if (new URL(link.getAttribute('href'), document.baseURI).pathname === target) {
                const number = link.querySelector('strong');
                const text = link.textContent.replace(number ? number.textContent : '', '');
                return text.trim();
            }
        }
        return null;
    }
    document.querySelectorAll('a.nav-chapters, a.mobile-nav-chapters').forEach(function (link) {
        const name = chapterName(link.getAttribute('href'));
        if (!name) return;
        const label = (link.classList.contains('next') ? 'Next: ' : 'Previous: ') + name;
        link.setAttribute('title', label);
        link.setAttribute('aria-label', label);
        if (link.classList.contains('mobile-nav-chapters')) {
            const words = document.createElement('span');
            words.className = 'nav-chapter-name';
            words.textContent = label;
            link.appendChild(words);
        }
    });

    // Each table cell knows the name of its column, for the narrow-screen layout of the tables
    // (theme/listings.css), where the header row is out of sight.
    document.querySelectorAll('.table-wrapper table').forEach(function (table) {
        const names = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent.trim());
        table.querySelectorAll('tbody tr').forEach(function (row) {
            Array.from(row.children).forEach(function (cell, index) {
                if (names[index]) cell.setAttribute('data-label', names[index]);
            });
        });
    });

    // mdBook asks the Rust Playground which crates it offers when a page with a runnable
    // listing loads, and does not catch a failure: offline, or behind a firewall, that is an
    // uncaught error on every such page. The Run buttons simply stay as they are.
    window.addEventListener('unhandledrejection', function (event) {
        const reason = event.reason;
        const message = String((reason && reason.message) || reason);
        if (/Failed to fetch|NetworkError|Load failed|^timeout$/.test(message)) {
            event.preventDefault();
        }
    });
})();
