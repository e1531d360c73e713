"""Alembic's environment for the workbench database: the connection comes from the caller
(store.migrate passes it in config.attributes), never from a file of settings."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
