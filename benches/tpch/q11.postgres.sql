-- TPC-H Q11 Important Stock Identification. Validation: NATION = GERMANY, FRACTION = 0.0001
-- NOTE: the spec defines FRACTION = 0.0001 / SF. 0.0001 is the SF 1 validation value (and what
-- DuckDB/DataFusion use at every SF). At SF 0.01 the spec value would be 0.01 (see queries.md).
select
	ps_partkey,
	sum(ps_supplycost * ps_availqty) as value
from
	partsupp,
	supplier,
	nation
where
	ps_suppkey = s_suppkey
	and s_nationkey = n_nationkey
	and n_name = 'GERMANY'
group by
	ps_partkey
having
	sum(ps_supplycost * ps_availqty) > (
		select
			sum(ps_supplycost * ps_availqty) * 0.0001
		from
			partsupp,
			supplier,
			nation
		where
			ps_suppkey = s_suppkey
			and s_nationkey = n_nationkey
			and n_name = 'GERMANY'
	)
order by
	value desc;
