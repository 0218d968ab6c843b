"""Themes and trends across published reviews.

- ``taxonomy``: the curated themes as data (validated YAML; analysts' own file).
- ``scoring`` (pure): unit x theme confidences from embeddings and phrases; review aggregation;
  threshold calibration.
- ``tagging``: :class:`~learning.themes.tagging.ThemeWorkspace`, tags with evidence, the cache.
- ``decisions``: analysts' confirm/reject in the app database.
- ``learned_head`` (pure), ``head_format`` (pure), ``head_store``, ``retraining``: the tagger that
  learns from those decisions (per-theme heads blended with the zero-shot scores), its file,
  when it is retrained, and the way back to the zero-shot tagger.
- ``trends`` (pure) and ``report``: prevalence, co-occurrence, rising and new themes.
- ``discovery``: clusters that no theme covers, promoted into the taxonomy.
- ``recurring``: recommendations made again and again.
- ``packs`` and ``pack_export``: cited evidence packs (CSV, Markdown, PDF).
- ``national_figures`` (pure), ``national_rates`` (pure), ``national_picture``,
  ``national_chart``: the national picture in rates (intervals, year-on-year tests) beside the
  figures the Panel and the DfE publish (``corpus/national/``), as tables, CSV and PNG.
- ``cli``: ``cspr themes ...``.
"""
