"""Watching: hourly incident detection per template (detect), alert delivery to owners
(notify, settings) and the weekly noise report (report). See docs/watch.md."""
