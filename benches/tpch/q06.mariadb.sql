-- TPC-H Q6 Forecasting Revenue Change. Validation: DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24
-- NOTE: spec text is "l_discount between 0.06 - 0.01 and 0.06 + 0.01". The bounds are written
-- pre-computed (0.05 / 0.07) because SQLite evaluates 0.06 + 0.01 in binary floating point
-- (= 0.069999999999999993) and would silently drop every row with l_discount = 0.07.
select
	sum(l_extendedprice * l_discount) as revenue
from
	lineitem
where
	l_shipdate >= date '1994-01-01'
	and l_shipdate < date '1994-01-01' + interval '1' year
	and l_discount between 0.05 and 0.07
	and l_quantity < 24;
