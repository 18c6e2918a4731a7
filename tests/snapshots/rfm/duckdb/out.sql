WITH purchases AS (
  SELECT
    member_id,
    ordered_at,
    paid_amount - COALESCE(refund_amount, 0) AS net
  FROM orders
  WHERE
    (
      status IS NULL OR status IN ('completed', 'partially_refunded')
    )
    AND ordered_at < CAST('2024-04-01' AS DATE)
), per_member AS (
  SELECT
    member_id,
    MIN(ordered_at) AS first_order_at,
    MAX(ordered_at) AS last_order_at,
    DATE_DIFF('DAY', CAST(MAX(ordered_at) AS DATE), CAST('2024-04-01' AS DATE)) AS recency_days,
    COUNT(*) AS frequency,
    CAST(SUM(net) AS DECIMAL(18, 2)) AS monetary
  FROM purchases
  GROUP BY
    member_id
), scored AS (
  SELECT
    *,
    CAST(LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY recency_days DESC))) AS TINYINT) AS r_score,
    CAST(LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY frequency))) AS TINYINT) AS f_score,
    CAST(LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY monetary))) AS TINYINT) AS m_score
  FROM per_member
), split AS (
  SELECT
    *,
    r_score > AVG(r_score) OVER () AS r_high,
    f_score > AVG(f_score) OVER () AS f_high,
    m_score > AVG(m_score) OVER () AS m_high
  FROM scored
)
SELECT
  member_id,
  first_order_at,
  last_order_at,
  recency_days,
  frequency,
  monetary,
  r_score,
  f_score,
  m_score,
  CASE
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = TRUE
    THEN 'important_value'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = TRUE
    THEN 'important_development'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = TRUE
    THEN 'important_retention'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = TRUE
    THEN 'important_winback'
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = FALSE
    THEN 'general_value'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = FALSE
    THEN 'general_development'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = FALSE
    THEN 'general_retention'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = FALSE
    THEN 'general_winback'
  END AS rfm_class,
  CASE
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = TRUE
    THEN '重要价值客户'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = TRUE
    THEN '重要发展客户'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = TRUE
    THEN '重要保持客户'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = TRUE
    THEN '重要挽留客户'
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = FALSE
    THEN '一般价值客户'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = FALSE
    THEN '一般发展客户'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = FALSE
    THEN '一般保持客户'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = FALSE
    THEN '一般挽留客户'
  END AS rfm_class_zh,
  CASE
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = TRUE
    THEN 'Important value'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = TRUE
    THEN 'Important development'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = TRUE
    THEN 'Important retention'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = TRUE
    THEN 'Important win-back'
    WHEN r_high = TRUE AND f_high = TRUE AND m_high = FALSE
    THEN 'General value'
    WHEN r_high = TRUE AND f_high = FALSE AND m_high = FALSE
    THEN 'General development'
    WHEN r_high = FALSE AND f_high = TRUE AND m_high = FALSE
    THEN 'General retention'
    WHEN r_high = FALSE AND f_high = FALSE AND m_high = FALSE
    THEN 'General win-back'
  END AS rfm_class_en
FROM split
