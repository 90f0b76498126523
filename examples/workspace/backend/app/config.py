"""Settings from the environment, and from ``.env`` in the working directory when present."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str
    DEBUG_ROUTES: bool = False


settings = Settings()
