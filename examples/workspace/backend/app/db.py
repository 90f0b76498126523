"""The database engine and a session per request."""

from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import settings

url = make_url(settings.DATABASE_URL)
# A bounded connect, so that /health and prestart.py answer when the server does not.
connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
SessionLocal = sessionmaker(engine, expire_on_commit=False)


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


def ping() -> None:
    """Run ``SELECT 1``; raises SQLAlchemyError when the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
