"""The search backend: Wagtail's database backend, stemming English and Italian on PostgreSQL.

`WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backend", "SEARCH_CONFIGS": [...]}}`.
On PostgreSQL every indexed text is stored as one tsvector per configuration, concatenated
(`to_tsvector('english', t) || to_tsvector('italian', t)`), and a query matches when it matches
under any configuration (`q@english || q@italian`): residents write claims in either language,
and "giardini" finds "giardino" while "gardens" finds "garden". On SQLite (the embedded default)
and elsewhere it is Wagtail's database backend unchanged (SQLite's FTS5 stems English only).
"""

from functools import reduce

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value
from django.db.models.sql.subqueries import InsertQuery
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.backends.database.postgres import postgres as pg
from modelsearch.utils import ADD, get_content_type_pk

DEFAULT_CONFIGS = ("english", "italian")


class MultiConfigIndexer(pg.ObjectIndexer):
    def __init__(self, obj, backend):
        super().__init__(obj, backend)
        self.configs = backend.configs

    def as_vector(self, texts, for_autocomplete=False):
        if for_autocomplete:
            return super().as_vector(texts, for_autocomplete=True)
        texts = [(text.strip(), weight) for text, weight in texts]
        texts = [(text, weight) for text, weight in texts if text]
        if not texts:
            return pg.EMPTY_VECTOR
        return ADD(
            [
                SearchVector(Value(text, output_field=TextField()), weight=weight, config=config)
                for text, weight in texts
                for config in self.configs
            ]
        )


class MultiConfigIndex(pg.PostgresIndex):
    def add_items(self, model, objs):
        # PostgresIndex.add_items with the indexer above (the upstream one names its class).
        if not model.get_search_fields():
            return
        indexers = [MultiConfigIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        compiler = InsertQuery(pg.IndexEntry).get_compiler(connection=self.write_connection)
        rows, params = [], []
        for indexer in indexers:
            params.extend((content_type_pk, indexer.id))
            sqls = []
            for name in ("title", "autocomplete", "body"):
                value = compiler.prepare_value(
                    pg.IndexEntry._meta.get_field(name), getattr(indexer, name)
                )
                sql, value_params = value.as_sql(compiler, self.write_connection)
                sqls.append(sql)
                params.extend(value_params)
            params.extend((indexer.title_text, indexer.body_text))
            rows.append(f"(%s, %s, {sqls[0]}, {sqls[1]}, {sqls[2]}, 1.0, %s, %s)")
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {pg.IndexEntry._meta.db_table} (content_type_id, object_id, title,
                    autocomplete, body, title_norm, title_text, body_text)
                (VALUES {", ".join(rows)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0,
                              autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                              title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
                """,
                params,
            )
        self._refresh_title_norms()


class MultiConfigQueryCompiler(pg.PostgresSearchQueryCompiler):
    def build_tsquery(self, query, config=None):
        if isinstance(config, tuple):
            return reduce(
                lambda a, b: a | b, (self.build_tsquery_content(query, config=c) for c in config)
            )
        return super().build_tsquery(query, config=config)


class MultiConfigPostgresBackend(pg.PostgresSearchBackend):
    query_compiler_class = MultiConfigQueryCompiler
    index_class = MultiConfigIndex

    def __init__(self, params):
        super().__init__(params)
        self.configs = tuple(params.get("SEARCH_CONFIGS") or DEFAULT_CONFIGS)
        self.config = self.configs  # what the query compiler receives (get_config)


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    if connection.vendor == "postgresql":
        return MultiConfigPostgresBackend(params)
    params = {k: v for k, v in params.items() if k != "SEARCH_CONFIGS"}
    return DatabaseSearchBackend(params)
