"""The API: items, a health check that asks the database, and the version."""

from pathlib import Path
from typing import Annotated

import uvicorn
from common.text import slugify
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.config import settings
from app.db import get_session, ping, url
from app.models import Item

# VERSION sits next to pyproject.toml (a release may write it); "dev" without it.
VERSION_FILE = Path(__file__).resolve().parent.parent / "VERSION"

app = FastAPI(title="backend")
SessionDep = Annotated[Session, Depends(get_session)]


class ItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=255)


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    slug: str


@app.get("/health")
def health() -> str:
    try:
        ping()
    except SQLAlchemyError:
        raise HTTPException(status_code=503, detail="database unreachable") from None
    return "ok"


@app.get("/version")
def version() -> dict[str, str]:
    try:
        release = VERSION_FILE.read_text().strip() or "dev"
    except OSError:
        release = "dev"
    return {"version": release, "uvicorn": uvicorn.__version__}


@app.post("/items", status_code=201)
def create_item(body: ItemCreate, session: SessionDep) -> ItemRead:
    item = Item(title=body.title, slug=slugify(body.title))
    session.add(item)
    session.commit()
    return ItemRead.model_validate(item)


@app.get("/items")
def list_items(session: SessionDep) -> list[ItemRead]:
    return [ItemRead.model_validate(item) for item in session.scalars(select(Item).order_by(Item.id))]


@app.get("/items/{item_id}")
def read_item(item_id: int, session: SessionDep) -> ItemRead:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="item not found")
    return ItemRead.model_validate(item)


if settings.DEBUG_ROUTES:
    # Development only: with DEBUG_ROUTES unset (as on a server) the route does not exist.
    @app.get("/debug/settings")
    def debug_settings() -> dict[str, str | bool]:
        return {
            "DATABASE_URL": url.render_as_string(hide_password=True),
            "DEBUG_ROUTES": settings.DEBUG_ROUTES,
        }
