"""The Spark side (the `spark` extra, docs/spark.md): queries/ on Apache Spark.

sql.py transpiles queries/*.sql from DuckDB to Spark SQL (sqlglot only); engine.py runs them
on a SparkSession (pyspark); rollups.py writes per-template daily roll-ups on Spark and reads
them back with DuckDB. Nothing here is imported unless `--engine spark`, `spark-rollups`,
`metrics --rollups` or `export` asks for it: the default install never loads pyspark.
"""
