"""The knowledge base: help articles, how they are imported and chunked, and retrieval.

Articles live in the same store as tickets (``storage/<backend>/articles.py`` implement
:class:`knowledge.store.ArticleStore`). Retrieval is one small protocol
(:class:`knowledge.retrieval.Retriever`) with a lexical BM25 ranker that works offline, an
embeddings ranker for any OpenAI-compatible ``/v1/embeddings`` endpoint, and a hybrid of both.
"""
