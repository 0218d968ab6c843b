"""The Streamlit workbench's pages and their shared pieces (see app.py)."""
