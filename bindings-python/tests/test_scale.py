"""Scale out: packs pickle (sources + fingerprint, checked on arrival) and
travel to multiprocessing, Dask and Spark workers, which give the same
table as score_many on the whole data."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import sys
from typing import Any, Dict, List

import pytest

import chamdiem
from conftest import ROOT
from test_same_as_cli import arrow_friendly, plain, with_nulls

PERIOD = "2024"


def rows(table: Any) -> List[Dict[str, Any]]:
    """Any result table as a list of plain dicts (NaN and NA as None)."""
    if hasattr(table, "to_pylist"):
        records = table.to_pylist()
    elif hasattr(table, "to_dicts"):
        records = table.to_dicts()
    else:
        records = table.to_dict("records")
    return [{k: plain(v) for k, v in r.items()} for r in records]


def extended_pack() -> chamdiem.Pack:
    source = (
        'extends("tay-ninh.enterprise");\n'
        'pack(#{ id: "thu.trong-so", title: "Thử đổi trọng số", version: "1" });\n'
    )
    return chamdiem.Pack.from_sources({"pack.rhai": source})


def test_packs_pickle_by_sources_and_fingerprint(tmp_path, cases) -> None:
    folder = tmp_path / "tinh"
    shutil.copytree(ROOT / "rules" / "tay-ninh.enterprise", folder)
    for pack in [chamdiem.load_pack("vn.enterprise"), chamdiem.load_pack(str(folder)), extended_pack()]:
        again = pickle.loads(pickle.dumps(pack))
        assert (again.id, again.fingerprint) == (pack.id, pack.fingerprint)
        assert again.score(cases[0], PERIOD) == pack.score(cases[0], PERIOD)


def test_a_pack_that_changed_on_the_way_is_refused(tmp_path) -> None:
    folder = tmp_path / "tinh"
    shutil.copytree(ROOT / "rules" / "tay-ninh.enterprise", folder)
    sent = pickle.dumps(chamdiem.load_pack(str(folder)))
    with open(folder / "pack.rhai", "a", encoding="utf-8") as f:
        f.write("\n// sửa sau khi gửi\n")
    with pytest.raises(chamdiem.PackError) as error:
        pickle.loads(sent)
    assert error.value.code == "pack.fingerprint"


def score_part(args: Any) -> List[Dict[str, Any]]:
    pack, part = args
    return pack.score_many(part, period=PERIOD)


def test_multiprocessing_workers_give_the_same_results(cases) -> None:
    pack = extended_pack()
    parts = [(pack, cases[i:i + 50]) for i in range(0, len(cases), 50)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        scored = [r for part in pool.map(score_part, parts) for r in part]
    assert scored == pack.score_many(cases, period=PERIOD)


def test_dask_distributed_with_worker_processes_equals_score_many(cases) -> None:
    pandas = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    import dask

    pack = chamdiem.load_pack("tay-ninh.enterprise")
    frame = pandas.DataFrame(with_nulls(cases))
    whole = pack.score_many(frame, period=PERIOD)
    # Dask turns object columns (lists, mixed values, booleans with gaps)
    # into text unless told not to: the records must reach the pack as they are.
    with dask.config.set({"dataframe.convert-string": False}), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        parts = dd.from_pandas(frame, npartitions=6)
        meta = pack.score_many(frame.head(3), period=PERIOD).iloc[:0]
        scored = parts.map_partitions(pack.score_many, period=PERIOD, meta=meta)
        result = scored.compute()
        workers = client.run(os.getpid)
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    assert list(result.index) == list(frame.index)
    assert list(result.columns) == list(whole.columns)
    assert rows(result) == rows(whole)


def test_pyspark_map_in_arrow_equals_score_many(cases) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    sql = pytest.importorskip("pyspark.sql")
    if shutil.which("java") is None:
        pytest.fail("PySpark needs Java (apt-get install openjdk-17-jre-headless)")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    pack = chamdiem.load_pack("tay-ninh.enterprise")
    table = pyarrow.Table.from_pylist(with_nulls(arrow_friendly(cases)))
    whole = pack.score_many(table, period=PERIOD)
    spark = (sql.SparkSession.builder.master("local[2]").appName("chamdiem-test")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        from pyspark.sql.pandas.types import from_arrow_schema

        frame = spark.createDataFrame(table.to_pandas()).repartition(4)

        def score_batches(batches: Any) -> Any:
            for batch in batches:
                yield from pack.score_many(batch, period=PERIOD).to_batches()

        schema = from_arrow_schema(whole.schema)
        scored = frame.mapInArrow(score_batches, schema).toArrow()
    finally:
        spark.stop()
    # Spark reorders rows between partitions: compare by id, and counts.
    assert scored.num_rows == whole.num_rows
    assert scored.column_names == whole.column_names
    key = lambda r: (r["id"] or "", r["status"], r["total"] or -1)  # noqa: E731
    assert sorted(rows(scored), key=key) == sorted(rows(whole), key=key)
