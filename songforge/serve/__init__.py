"""`songforge serve`: a web UI and a REST API over one on-disk job store (see app.create_app)."""
