WITH base AS (
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
), model_scores_latest AS (
  SELECT
    member_id,
    (
      ARG_MAX({'value': value}, (as_of, scored_at)) FILTER(WHERE
        model = 'churn' AND output = 'probability')
    ).value AS "churn_probability",
    (
      ARG_MAX({'value': value}, (as_of, scored_at)) FILTER(WHERE
        model = 'churn' AND output = 'risk')
    ).value AS "churn_risk"
  FROM model_scores
  WHERE
    as_of <= CAST('2024-07-01' AS DATE) AND model IN ('churn')
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
    "model_scores_latest"."churn_probability" AS "churn_probability",
    "model_scores_latest"."churn_risk" AS "churn_risk",
    CAST(NULL AS DECIMAL(18, 2)) AS "clv_12m"
  FROM base
  LEFT JOIN model_scores_latest
    ON model_scores_latest.member_id = base.member_id
)
SELECT
  layer_0.member_id,
  CAST('2024-07-01' AS DATE) AS as_of,
  CAST("layer_0"."churn_probability" AS DOUBLE) AS "churn_probability",
  CAST("layer_0"."churn_risk" AS TEXT) AS "churn_risk",
  CAST("layer_0"."clv_12m" AS DECIMAL(18, 2)) AS "clv_12m"
FROM layer_0
ORDER BY
  layer_0.member_id NULLS FIRST
