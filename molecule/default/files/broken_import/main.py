"""A release of hello whose import fails: Gunicorn's workers cannot boot."""

import hello_dependency_that_is_not_installed  # noqa: F401  pylint: disable=import-error,unused-import

from fastapi import FastAPI

app = FastAPI(title="hello")
