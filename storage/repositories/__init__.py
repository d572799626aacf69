"""One small repository per concept, all working in one unit of work's ORM session
(storage.unit_of_work). None of them commits: the unit of work does."""
