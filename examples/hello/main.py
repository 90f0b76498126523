"""hello: the example FastAPI app that fastapi_ops.server deploys.

``/`` answers with a greeting and the release it runs from, ``/health`` is
the health check, and ``/items/{item_id}`` is a small JSON endpoint.
``POST /orders`` does what a typical endpoint of a real app does per request:
it validates a JSON body (an order of a few dozen lines) with Pydantic
models, queries a small SQLite catalogue, and answers with a few kB of JSON.

The release is ``APP_RELEASE`` when set, else the ``id`` in the
``release.json`` that the collection's app role writes next to ``src/``
(``releases/ID/release.json``, with this file at ``releases/ID/src/main.py``).
"""

import json
import os
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field


def release_id() -> str:
    if os.environ.get("APP_RELEASE"):
        return os.environ["APP_RELEASE"]
    try:
        described = json.loads((Path(__file__).resolve().parent.parent / "release.json").read_text())
        return str(described["id"])
    except (OSError, ValueError, KeyError):
        return "unknown"


RELEASE = release_id()
GREETING = os.environ.get("GREETING", "Hello")

# --- the catalogue behind POST /orders ---------------------------------------

PRODUCTS = 5000
CATEGORIES = ("books", "garden", "kitchen", "music", "office", "sports", "tools", "toys")
_catalogue: tuple[int, sqlite3.Connection] | None = None


def build_catalogue() -> sqlite3.Connection:
    """An in-memory SQLite catalogue of PRODUCTS products, indexed by SKU, then read-only."""
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.execute(
        "CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL,"
        " category TEXT NOT NULL, price_cents INTEGER NOT NULL, stock INTEGER NOT NULL, weight_g INTEGER NOT NULL)")
    connection.executemany(
        "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((n, "SKU-%05d" % n, "Product %d" % n, CATEGORIES[n % len(CATEGORIES)],
          199 + (n * 7919) % 20000, (n * 31) % 250, 50 + (n * 13) % 3000) for n in range(1, PRODUCTS + 1)))
    connection.execute("CREATE UNIQUE INDEX products_sku ON products (sku)")
    connection.commit()
    connection.execute("PRAGMA query_only = ON")
    return connection


def catalogue() -> sqlite3.Connection:
    """This process's catalogue, built once per (worker) process."""
    global _catalogue
    if _catalogue is None or _catalogue[0] != os.getpid():
        _catalogue = (os.getpid(), build_catalogue())
    return _catalogue[1]


class Address(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=2, max_length=12)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class OrderLine(BaseModel):
    sku: str = Field(pattern=r"^SKU-\d{5}$")
    quantity: int = Field(gt=0, le=1000)
    gift_wrap: bool = False
    note: str | None = Field(default=None, max_length=200)


class Order(BaseModel):
    customer_id: int = Field(gt=0)
    currency: Literal["EUR", "USD", "GBP"]
    coupon: str | None = Field(default=None, max_length=32)
    shipping: Address
    lines: list[OrderLine] = Field(min_length=1, max_length=100)


class QuotedLine(BaseModel):
    sku: str
    name: str
    category: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    weight_g: int
    in_stock: bool
    gift_wrap: bool


class Quote(BaseModel):
    customer_id: int
    currency: str
    release: str
    lines: list[QuotedLine]
    unknown_skus: list[str]
    items: int
    weight_g: int
    subtotal_cents: int
    discount_cents: int
    total_cents: int


@asynccontextmanager
async def lifespan(_app: FastAPI):
    catalogue()  # built at the worker's start-up, not on its first order
    yield


app = FastAPI(title="hello", lifespan=lifespan)


@app.get("/")
def index() -> dict:
    return {"message": f"{GREETING}, world!", "release": RELEASE}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/items/{item_id}")
def item(item_id: int, q: str | None = None) -> dict:
    return {"item_id": item_id, "q": q, "release": RELEASE}


@app.post("/orders")
async def quote_order(order: Order) -> Quote:
    """A quote for an order: each line priced from the catalogue, totals, stock."""
    skus = sorted({line.sku for line in order.lines})
    rows = catalogue().execute(
        "SELECT sku, name, category, price_cents, stock, weight_g FROM products WHERE sku IN (%s)" % ",".join("?" * len(skus)),
        skus).fetchall()
    products = {row[0]: row for row in rows}
    lines = []
    for line in order.lines:
        product = products.get(line.sku)
        if product is None:
            continue
        lines.append(QuotedLine(
            sku=line.sku, name=product[1], category=product[2], quantity=line.quantity, unit_price_cents=product[3],
            total_cents=product[3] * line.quantity, weight_g=product[5] * line.quantity, in_stock=product[4] >= line.quantity,
            gift_wrap=line.gift_wrap))
    if not lines:
        raise HTTPException(status_code=422, detail="no line of the order names a known product")
    subtotal = sum(line.total_cents for line in lines)
    discount = subtotal // 10 if order.coupon == "WELCOME10" else 0
    return Quote(
        customer_id=order.customer_id, currency=order.currency, release=RELEASE, lines=lines,
        unknown_skus=[sku for sku in skus if sku not in products], items=sum(line.quantity for line in lines),
        weight_g=sum(line.weight_g for line in lines), subtotal_cents=subtotal, discount_cents=discount,
        total_cents=subtotal - discount)
