"""Browser tests: the course notebooks in JupyterLab and Notebook 7, driven by headless Chromium."""
