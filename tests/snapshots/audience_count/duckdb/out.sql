SELECT
  COUNT(*)
FROM member_profile
WHERE
  COALESCE((
    "rfm_class" = '重要价值客户' OR "rfm_class" = '重要保持客户'
  ), FALSE)
  AND COALESCE("age" BETWEEN 25 AND 35, FALSE)
  AND NOT (
    COALESCE("churn_risk" = 'high', FALSE)
  )
  AND (
    COALESCE(LIST_CONTAINS("top_categories", '奶粉'), FALSE)
    OR COALESCE(
      "last_purchase_at" >= CAST('2025-12-02' AS TIMESTAMP)
      AND "last_purchase_at" < CAST('2026-01-01' AS TIMESTAMP),
      FALSE
    )
  )
  AND NOT (
    COALESCE("city" IS NULL, FALSE)
  )
  AND NOT (
    COALESCE("top_brands" IS NULL OR ARRAY_LENGTH("top_brands") = 0, FALSE)
  )
