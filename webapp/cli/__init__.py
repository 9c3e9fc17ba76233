"""Command-line tasks an administrator scripts: `flask --app webapp admin <command>`.

Each command parses its options, calls the services the website's admin pages call, and
turns a DomainError into a message and a non-zero exit status.
"""
