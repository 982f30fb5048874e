"""The web front end: server-rendered pages and the REST API (``storyline serve``)."""
