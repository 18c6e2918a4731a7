WITH src_items AS (
  SELECT
    o.member_id,
    i.order_id,
    o.ordered_at AS ts,
    i.sku,
    i.quantity,
    i.unit_price,
    i.amount,
    p.category,
    p.category_l1,
    p.category_l2,
    p.brand,
    p.price AS list_price,
    p.launched_at,
    DATE_DIFF('DAY', p.launched_at, CAST(o.ordered_at AS DATE)) AS days_since_launch,
    COALESCE(o.discount_amount, 0) > 0
    OR NOT o.coupon_code IS NULL
    OR i.unit_price < p.price AS on_discount,
    o.channel
  FROM order_items AS i
  JOIN orders AS o
    ON o.order_id = i.order_id
  LEFT JOIN products AS p
    ON p.sku = i.sku
  WHERE
    o.ordered_at < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
    AND o.ordered_at >= CAST('2023-07-02 00:00:00' AS TIMESTAMP)
    AND (
      o.status IS NULL OR o.status IN ('completed', 'partially_refunded')
    )
), src_purchases AS (
  SELECT
    member_id,
    order_id,
    store_id,
    channel,
    ordered_at AS ts,
    total_amount,
    discount_amount,
    paid_amount,
    paid_amount - COALESCE(refund_amount, 0) AS net_amount,
    coupon_code,
    status,
    refund_amount,
    HOUR(ordered_at) AS hour,
    DAYOFWEEK(ordered_at) AS weekday,
    DAYOFWEEK(ordered_at) IN (0, 6) AS is_weekend,
    COALESCE(discount_amount, 0) > 0 OR NOT coupon_code IS NULL AS on_discount,
    status IN ('refunded', 'partially_refunded') AS is_refunded
  FROM orders
  WHERE
    ordered_at < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
    AND (
      status IS NULL OR status IN ('completed', 'partially_refunded')
    )
), base AS (
  SELECT
    ids.member_id,
    m."name" AS "m__name",
    m."gender" AS "m__gender",
    m."birthday" AS "m__birthday",
    m."phone" AS "m__phone",
    m."email" AS "m__email",
    m."province" AS "m__province",
    m."city" AS "m__city",
    m."city_tier" AS "m__city_tier",
    m."registered_at" AS "m__registered_at",
    m."channel" AS "m__channel",
    m."tier" AS "m__tier",
    m."consent_sms" AS "m__consent_sms",
    m."consent_email" AS "m__consent_email",
    m."consent_push" AS "m__consent_push"
  FROM (
    SELECT
      member_id
    FROM members
    WHERE
      registered_at IS NULL OR registered_at < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
    UNION
    SELECT DISTINCT
      member_id
    FROM orders
    WHERE
      ordered_at < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
  ) AS ids
  LEFT JOIN members AS m
    ON m.member_id = ids.member_id
    AND (
      m.registered_at IS NULL
      OR m.registered_at < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
    )
), agg_items AS (
  SELECT
    member_id,
    CAST(SUM(
      CASE
        WHEN ts >= CAST('2023-07-02 00:00:00' AS TIMESTAMP) AND on_discount
        THEN amount
        ELSE 0
      END
    ) AS DOUBLE) / NULLIF(
      SUM(CASE WHEN ts >= CAST('2023-07-02 00:00:00' AS TIMESTAMP) THEN amount ELSE 0 END),
      0
    ) AS "price_sensitivity"
  FROM src_items
  GROUP BY
    member_id
), agg_purchases AS (
  SELECT
    member_id,
    SUM(net_amount) FILTER(WHERE
      ts >= CAST('2024-04-02 00:00:00' AS TIMESTAMP)) AS "spend_90d",
    COUNT(*) AS "order_count_total",
    SUM(net_amount) AS "spend_total",
    MAX(ts) AS "last_purchase_at",
    CASE
      WHEN GREATEST(
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 0),
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 1),
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 2),
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 3),
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 4),
        COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 5)
      ) > 0
      THEN CASE
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 0) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '上午'
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 1) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '下午'
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 2) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '中午'
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 3) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '凌晨'
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 4) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '晚上'
        WHEN COUNT(*) FILTER(WHERE
          "__top_preferred_hour_band" = 5) = GREATEST(
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 0),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 1),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 2),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 3),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 4),
          COUNT(*) FILTER(WHERE
            "__top_preferred_hour_band" = 5)
        )
        THEN '深夜'
      END
    END AS "preferred_hour_band"
  FROM (
    SELECT
      *,
      CASE
        WHEN hour < 6
        THEN 3
        WHEN hour < 11
        THEN 0
        WHEN hour < 14
        THEN 2
        WHEN hour < 18
        THEN 1
        WHEN hour < 22
        THEN 4
        ELSE 5
      END AS "__top_preferred_hour_band"
    FROM src_purchases
  ) AS src_purchases
  GROUP BY
    member_id
), top_0 AS (
  SELECT
    member_id,
    ARRAY_AGG(d ORDER BY v DESC, d) FILTER(WHERE
      NOT d IS NULL) AS ranked,
    MAX(v) FILTER(WHERE
      NOT d IS NULL) / NULLIF(SUM(v), 0) AS share
  FROM (
    SELECT
      member_id AS member_id,
      category AS d,
      SUM(amount) AS v
    FROM src_items
    WHERE
      ts >= CAST('2023-07-02 00:00:00' AS TIMESTAMP)
    GROUP BY
      member_id,
      2
  ) AS inner_rows
  WHERE
    v > 0
  GROUP BY
    member_id
), layer_0 AS (
  SELECT
    base.member_id,
    "base"."m__name",
    "base"."m__gender",
    "base"."m__birthday",
    "base"."m__phone",
    "base"."m__email",
    "base"."m__province",
    "base"."m__city",
    "base"."m__city_tier",
    "base"."m__registered_at",
    "base"."m__channel",
    "base"."m__tier",
    "base"."m__consent_sms",
    "base"."m__consent_email",
    "base"."m__consent_push",
    "agg_items"."price_sensitivity" AS "price_sensitivity",
    COALESCE("agg_purchases"."spend_90d", 0) AS "spend_90d",
    COALESCE("agg_purchases"."order_count_total", 0) AS "order_count_total",
    COALESCE("agg_purchases"."spend_total", 0) AS "spend_total",
    "agg_purchases"."last_purchase_at" AS "last_purchase_at",
    "agg_purchases"."preferred_hour_band" AS "preferred_hour_band",
    LIST_SLICE(top_0.ranked, 1, 3) AS "top_categories"
  FROM base
  LEFT JOIN agg_items
    ON agg_items.member_id = base.member_id
  LEFT JOIN agg_purchases
    ON agg_purchases.member_id = base.member_id
  LEFT JOIN top_0
    ON top_0.member_id = base.member_id
), rules_in AS (
  SELECT
    member_id,
    "last_purchase_at",
    "order_count_total",
    "spend_total"
  FROM layer_0
), layer_1 AS (
  SELECT
    *,
    CASE
      WHEN "order_count_total" > 0
      THEN LEAST(
        5,
        1 + FLOOR(
          5 * PERCENT_RANK() OVER (PARTITION BY "order_count_total" > 0 ORDER BY "order_count_total")
        )
      )
    END AS "f_score",
    CASE
      WHEN "order_count_total" > 0
      THEN LEAST(
        5,
        1 + FLOOR(
          5 * PERCENT_RANK() OVER (PARTITION BY "order_count_total" > 0 ORDER BY "spend_total")
        )
      )
    END AS "m_score",
    DATE_DIFF('DAY', CAST("last_purchase_at" AS DATE), CAST('2024-07-01' AS DATE)) AS "days_since_last_purchase"
  FROM rules_in
), layer_2 AS (
  SELECT
    *,
    CASE
      WHEN NOT "days_since_last_purchase" IS NULL
      THEN LEAST(
        5,
        1 + FLOOR(
          5 * PERCENT_RANK() OVER (
            PARTITION BY "days_since_last_purchase" IS NULL
            ORDER BY "days_since_last_purchase" DESC
          )
        )
      )
    END AS "r_score"
  FROM layer_1
), layer_3 AS (
  SELECT
    *,
    CASE
      WHEN "r_score" IS NULL
      THEN NULL
      ELSE (
        CASE WHEN "m_score" > AVG("m_score") OVER () THEN '重要' ELSE '一般' END
      ) || (
        CASE
          WHEN "r_score" > AVG("r_score") OVER () AND "f_score" > AVG("f_score") OVER ()
          THEN '价值'
          WHEN "r_score" > AVG("r_score") OVER ()
          THEN '发展'
          WHEN "f_score" > AVG("f_score") OVER ()
          THEN '保持'
          ELSE '挽留'
        END
      ) || '客户'
    END AS "rfm_class"
  FROM layer_2
)
SELECT
  layer_0.member_id,
  CAST('2024-07-01' AS DATE) AS as_of,
  CAST("layer_0"."spend_90d" AS DECIMAL(18, 2)) AS "spend_90d",
  CAST("layer_0"."order_count_total" AS BIGINT) AS "order_count_total",
  CAST("layer_0"."spend_total" AS DECIMAL(18, 2)) AS "spend_total",
  CAST("layer_0"."last_purchase_at" AS TIMESTAMP) AS "last_purchase_at",
  CAST("layer_3"."days_since_last_purchase" AS BIGINT) AS "days_since_last_purchase",
  CAST("layer_0"."preferred_hour_band" AS TEXT) AS "preferred_hour_band",
  CAST("layer_0"."top_categories" AS TEXT[]) AS "top_categories",
  CAST("layer_0"."price_sensitivity" AS DOUBLE) AS "price_sensitivity",
  CAST("layer_3"."r_score" AS BIGINT) AS "r_score",
  CAST("layer_3"."f_score" AS BIGINT) AS "f_score",
  CAST("layer_3"."m_score" AS BIGINT) AS "m_score",
  CAST("layer_3"."rfm_class" AS TEXT) AS "rfm_class"
FROM layer_0
LEFT JOIN layer_3
  ON layer_3.member_id = layer_0.member_id
ORDER BY
  layer_0.member_id NULLS FIRST
