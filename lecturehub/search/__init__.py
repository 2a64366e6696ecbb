"""Slide search (搜索): every slide of each talk's current courseware, exact Chinese matching.

The index is opened lazily: the first search or indexing in a process checks it and rebuilds
a missing or corrupt one from the database (services.get_index), so creating the app stays fast.
``search.index`` is the engine wrapper (the only code that imports a search engine — whoosh,
tantivy, the postgres engine's SQL — or jieba); ``SEARCH_ENGINE`` chooses the engine.
"""
