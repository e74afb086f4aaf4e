"""Head office: a chain's weekly files in one DuckDB file, and the chain report.

An optional part (`pip install "showroom-cs[hq]"`): the counter app never
imports it. `showroom-cs hq …` (`hq.cli`) loads it when asked. Plain Python
without Qt; `chain` generates test chains and needs nothing beyond the app.
"""
