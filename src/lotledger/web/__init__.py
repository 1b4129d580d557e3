"""The web pages: server-rendered (Jinja2) over the same services as the API and the CLI."""
