-- The five benchmark queries, one per line, run by both sides against table `events`.
SELECT count(*) AS n, sum(amount) AS total FROM events
SELECT category, count(*) AS n, avg(amount) AS mean FROM events GROUP BY category ORDER BY category
SELECT name, sum(amount) AS total FROM events GROUP BY name ORDER BY total DESC, name LIMIT 20
SELECT id, name, amount FROM events WHERE id % 1000 = 0 ORDER BY id
SELECT id, name, category, amount FROM events WHERE id < 1500000
