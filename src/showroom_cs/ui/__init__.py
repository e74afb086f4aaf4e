"""The PySide6 desktop UI: the only package that imports Qt. It calls the core;
the core never imports it."""
