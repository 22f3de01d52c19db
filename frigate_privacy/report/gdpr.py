"""Which GDPR article each line of the report serves (Regulation (EU) 2016/679)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ARTICLE_TITLES", "Article"]


class Article(StrEnum):
    """The articles the report's findings speak to."""

    minimisation = "Art. 5(1)(c)"
    storage_limitation = "Art. 5(1)(e)"
    accountability = "Art. 5(2)"
    access = "Art. 15"
    erasure = "Art. 17"
    by_design = "Art. 25"
    records = "Art. 30"
    security = "Art. 32"


ARTICLE_TITLES: dict[Article, str] = {
    Article.minimisation: "data minimisation: only what the purpose needs (no audio, no faces of bystanders)",
    Article.storage_limitation: "storage limitation: kept no longer than necessary",
    Article.accountability: "accountability: the controller can show compliance",
    Article.access: "right of access by the data subject",
    Article.erasure: "right to erasure",
    Article.by_design: "data protection by design and by default",
    Article.records: "records of processing activities",
    Article.security: "security of processing (encryption, access control)",
}
