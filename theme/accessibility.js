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
})();
