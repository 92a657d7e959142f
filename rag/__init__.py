"""Crisis-briefing answers quoted word for word from dated articles.

Example::

    import rag
    index = rag.build_index("seeds", "index")
    a = index.answer("Where will the talks take place?")
    a.text, a.doc_id, a.start, a.end      # index.document(a.doc_id).text[a.start:a.end] == a.text
    rag.add(["page.html", "feed.rss"], "seeds", "index")   # copy articles in and index them
"""

from .answer import Answer, Passage
from .api import answer, build_index, load_index
from .config import Settings
from .documents import Document
from .errors import IndexCorruptError, IndexNotFoundError, RagError, SourceError
from .index import Index
from .sources import add

__all__ = [
    "Answer",
    "Document",
    "Index",
    "IndexCorruptError",
    "IndexNotFoundError",
    "Passage",
    "RagError",
    "Settings",
    "SourceError",
    "add",
    "answer",
    "build_index",
    "load_index",
]
__version__ = "0.1.0"
