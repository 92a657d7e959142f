"""Crisis-briefing answers quoted word for word from dated articles.

Example::

    import rag
    index = rag.build_index("seeds", "index")
    a = index.answer("Where will the talks take place?")
    a.text, a.doc_id, a.start, a.end      # index.document(a.doc_id).text[a.start:a.end] == a.text
    index.answer("How many troops?", as_of="2022-01-05")   # only articles dated on or before then
    index.brief(since="2022-01-01")       # the main developments, each a verbatim quote, in date order
    rag.add(["page.html", "feed.rss"], "seeds", "index")   # copy articles in and index them
"""

from .answer import Answer, Citation, EventDate, Passage
from .api import answer, brief, build_index, load_index
from .brief import Briefing, BriefingItem
from .config import Settings
from .documents import Document
from .errors import IndexCorruptError, IndexNotFoundError, ModelError, RagError, SourceError
from .index import Index
from .sources import add

__all__ = [
    "Answer",
    "Briefing",
    "BriefingItem",
    "Citation",
    "EventDate",
    "Document",
    "Index",
    "IndexCorruptError",
    "IndexNotFoundError",
    "ModelError",
    "Passage",
    "RagError",
    "Settings",
    "SourceError",
    "add",
    "answer",
    "brief",
    "build_index",
    "load_index",
]
__version__ = "0.1.0"
