"""The dashboard: the only part of template_noise that imports streamlit or plotly.

`template-noise serve` runs main.py with `streamlit run`: as a script, not as a module of
this package, so main.py and the page scripts in views/ import everything absolutely
(`from template_noise.app import ui`). main.py is the frame around the pages; ui.py the
Streamlit glue the pages share (the database, cached frames, the sidebar filters); charts.py
the plotly figures; urlstate.py the filters in the URL; datadir.py the server paths the Data
page may read. Everything they show comes from the core modules outside this package.

The page scripts live in views/, not pages/: Streamlit treats a pages/ folder beside the
entry script as a legacy multipage app, and the first request to a freshly started server
then runs the page alone, without the frame (no login guard, no filters).
"""

from __future__ import annotations

from pathlib import Path

MAIN_SCRIPT = Path(__file__).with_name("main.py")
VIEWS_DIR = Path(__file__).with_name("views")
