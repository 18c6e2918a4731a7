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
), population AS (
  SELECT
    COUNT(*) AS n
  FROM per_member
), recency_days_scores AS (
  SELECT
    v,
    c,
    CAST(LEAST(
      5,
      1 + FLOOR(
        5 * (
          COALESCE(SUM(c) OVER (ORDER BY v DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) / GREATEST((
            SELECT
              n
            FROM population
          ) - 1, 1)
        )
      )
    ) AS TINYINT) AS s
  FROM (
    SELECT
      recency_days AS v,
      COUNT(*) AS c
    FROM per_member
    GROUP BY
      recency_days
  )
), frequency_scores AS (
  SELECT
    v,
    c,
    CAST(LEAST(
      5,
      1 + FLOOR(
        5 * (
          COALESCE(SUM(c) OVER (ORDER BY v ASC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) / GREATEST((
            SELECT
              n
            FROM population
          ) - 1, 1)
        )
      )
    ) AS TINYINT) AS s
  FROM (
    SELECT
      frequency AS v,
      COUNT(*) AS c
    FROM per_member
    GROUP BY
      frequency
  )
), monetary_scores AS (
  SELECT
    v,
    c,
    CAST(LEAST(
      5,
      1 + FLOOR(
        5 * (
          COALESCE(SUM(c) OVER (ORDER BY v ASC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) / GREATEST((
            SELECT
              n
            FROM population
          ) - 1, 1)
        )
      )
    ) AS TINYINT) AS s
  FROM (
    SELECT
      monetary AS v,
      COUNT(*) AS c
    FROM per_member
    GROUP BY
      monetary
  )
), scored AS (
  SELECT
    p.*,
    r.s AS r_score,
    f.s AS f_score,
    m.s AS m_score
  FROM per_member AS p
  JOIN recency_days_scores AS r
    ON r.v = p.recency_days
  JOIN frequency_scores AS f
    ON f.v = p.frequency
  JOIN monetary_scores AS m
    ON m.v = p.monetary
), split AS (
  SELECT
    *,
    r_score > (
      SELECT
        SUM(s * c) / SUM(c)
      FROM recency_days_scores
    ) AS r_high,
    f_score > (
      SELECT
        SUM(s * c) / SUM(c)
      FROM frequency_scores
    ) AS f_high,
    m_score > (
      SELECT
        SUM(s * c) / SUM(c)
      FROM monetary_scores
    ) AS m_high
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
