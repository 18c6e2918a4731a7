"""The canonical tables of the warehouse (DESIGN.md, "Data model")."""

from __future__ import annotations

from .model import Column, CrossCheck, Kind, Table

CHANNELS: dict[str, tuple[str, ...]] = {
    "store": ("门店", "线下", "线下门店", "pos", "offline", "store"),
    "app": ("app", "APP", "手机app", "客户端"),
    "mini_program": ("小程序", "微信小程序", "mini program", "miniprogram", "wechat"),
    "tmall": ("天猫", "tmall", "淘宝", "taobao"),
    "jd": ("京东", "jd", "jd.com"),
    "web": ("官网", "网站", "web", "website", "pc"),
    "douyin": ("抖音", "douyin", "tiktok"),
}

ORDER_STATUSES: dict[str, tuple[str, ...]] = {
    "completed": ("已完成", "完成", "已支付", "交易成功", "completed", "paid", "done", "success"),
    "refunded": ("已退款", "全额退款", "退款", "refunded", "refund"),
    "partially_refunded": ("部分退款", "partially_refunded", "partial_refund",
                           "partially refunded"),
    "cancelled": ("已取消", "取消", "cancelled", "canceled", "void"),
}

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "view": ("浏览", "view", "page_view", "pv"),
    "search": ("搜索", "search"),
    "cart": ("加购", "加入购物车", "cart", "add_to_cart"),
    "click": ("点击", "click"),
    "open": ("打开", "open", "message_open"),
    "login": ("登录", "login", "sign_in"),
    "share": ("分享", "share"),
    "favorite": ("收藏", "favorite", "like"),
}

FEEDBACK_KINDS: dict[str, tuple[str, ...]] = {
    "review": ("评价", "评论", "review", "comment"),
    "rating": ("评分", "rating"),
    "survey": ("问卷", "调查", "survey"),
    "ticket": ("工单", "客服", "投诉", "ticket", "complaint"),
}

TIERS: dict[str, tuple[str, ...]] = {
    "普通会员": ("普通会员", "普通", "normal", "regular", "basic"),
    "银卡会员": ("银卡会员", "银卡", "silver"),
    "金卡会员": ("金卡会员", "金卡", "gold"),
    "钻石会员": ("钻石会员", "钻石", "diamond", "platinum"),
}

MEMBER_ID = ("会员ID", "会员id", "会员编号", "会员号", "会员卡号", "客户ID", "客户编号",
             "用户ID", "member_id", "memberid", "customer_id", "user_id", "uid", "cust_id")

MEMBERS = Table(
    name="members",
    label_zh="会员",
    key=("member_id",),
    columns=(
        Column(name="member_id", kind=Kind.ID, label_zh="会员ID", required=True,
               synonyms=MEMBER_ID),
        Column(name="name", kind=Kind.TEXT, label_zh="姓名", pii=True,
               synonyms=("姓名", "会员姓名", "名字", "客户姓名", "name", "full_name")),
        Column(name="gender", kind=Kind.GENDER, label_zh="性别",
               synonyms=("性别", "gender", "sex")),
        Column(name="birthday", kind=Kind.DATE, label_zh="生日", pii=True,
               synonyms=("生日", "出生日期", "birthday", "birth_date", "dob")),
        Column(name="phone", kind=Kind.PHONE, label_zh="手机号", pii=True,
               synonyms=("手机号", "手机", "手机号码", "电话", "联系电话", "phone", "mobile",
                         "phone_number", "cellphone")),
        Column(name="email", kind=Kind.EMAIL, label_zh="邮箱", pii=True,
               synonyms=("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail")),
        Column(name="province", kind=Kind.TEXT, label_zh="省份",
               synonyms=("省份", "省", "province", "state")),
        Column(name="city", kind=Kind.TEXT, label_zh="城市", synonyms=("城市", "市", "city")),
        Column(name="city_tier", kind=Kind.INT, label_zh="城市等级", min_value=1, max_value=5,
               synonyms=("城市等级", "城市级别", "city_tier", "tier_of_city")),
        Column(name="registered_at", kind=Kind.TIMESTAMP, label_zh="注册时间",
               synonyms=("注册时间", "注册日期", "入会时间", "开卡时间", "registered_at",
                         "register_time", "signup_at", "created_at", "join_date")),
        Column(name="channel", kind=Kind.ENUM, label_zh="注册渠道", values=CHANNELS,
               synonyms=("注册渠道", "渠道", "来源", "channel", "source", "register_channel")),
        Column(name="tier", kind=Kind.ENUM, label_zh="会员等级", values=TIERS,
               synonyms=("会员等级", "等级", "卡等级", "tier", "level", "member_level")),
        Column(name="consent_sms", kind=Kind.BOOL, label_zh="短信授权",
               synonyms=("短信授权", "接收短信", "consent_sms", "sms_opt_in")),
        Column(name="consent_email", kind=Kind.BOOL, label_zh="邮件授权",
               synonyms=("邮件授权", "接收邮件", "consent_email", "email_opt_in")),
        Column(name="consent_push", kind=Kind.BOOL, label_zh="推送授权",
               synonyms=("推送授权", "接收推送", "consent_push", "push_opt_in")),
    ),
)

PRODUCTS = Table(
    name="products",
    label_zh="商品",
    key=("sku",),
    columns=(
        Column(name="sku", kind=Kind.ID, label_zh="商品编码", required=True,
               synonyms=("商品编码", "商品编号", "SKU", "货号", "商品ID", "sku", "product_id",
                         "item_id")),
        Column(name="name", kind=Kind.TEXT, label_zh="商品名称",
               synonyms=("商品名称", "品名", "名称", "name", "product_name", "title")),
        Column(name="category_l1", kind=Kind.TEXT, label_zh="一级类目",
               synonyms=("一级类目", "大类", "category_l1", "department")),
        Column(name="category_l2", kind=Kind.TEXT, label_zh="二级类目",
               synonyms=("二级类目", "中类", "category_l2")),
        Column(name="category", kind=Kind.TEXT, label_zh="末级类目",
               synonyms=("末级类目", "类目", "品类", "小类", "category", "leaf_category")),
        Column(name="brand", kind=Kind.TEXT, label_zh="品牌", synonyms=("品牌", "brand")),
        Column(name="price", kind=Kind.MONEY, label_zh="标价", min_value=0,
               max_value=1_000_000, synonyms=("标价", "价格", "售价", "吊牌价", "price",
                                              "list_price")),
        Column(name="launched_at", kind=Kind.DATE, label_zh="上市日期",
               synonyms=("上市日期", "上架日期", "launched_at", "launch_date", "release_date")),
        # units on hand; 0 = out of stock (not recommended), empty = unknown (allowed)
        Column(name="stock", kind=Kind.INT, label_zh="库存", min_value=0,
               synonyms=("库存", "库存数量", "stock", "inventory", "qty_on_hand")),
    ),
)

STORES = Table(
    name="stores",
    label_zh="门店",
    key=("store_id",),
    columns=(
        Column(name="store_id", kind=Kind.ID, label_zh="门店编号", required=True,
               synonyms=("门店编号", "门店ID", "门店代码", "店铺编号", "store_id", "shop_id")),
        Column(name="name", kind=Kind.TEXT, label_zh="门店名称",
               synonyms=("门店名称", "店名", "门店", "name", "store_name")),
        Column(name="province", kind=Kind.TEXT, label_zh="省份", synonyms=("省份", "province")),
        Column(name="city", kind=Kind.TEXT, label_zh="城市", synonyms=("城市", "city")),
        Column(name="address", kind=Kind.TEXT, label_zh="地址", synonyms=("地址", "address")),
        Column(name="latitude", kind=Kind.FLOAT, label_zh="纬度", min_value=-90, max_value=90,
               synonyms=("纬度", "latitude", "lat")),
        Column(name="longitude", kind=Kind.FLOAT, label_zh="经度", min_value=-180,
               max_value=180, synonyms=("经度", "longitude", "lng", "lon")),
        Column(name="opened_at", kind=Kind.DATE, label_zh="开业日期",
               synonyms=("开业日期", "开店日期", "opened_at", "open_date")),
        Column(name="store_type", kind=Kind.TEXT, label_zh="门店类型",
               synonyms=("门店类型", "店型", "store_type", "format")),
    ),
)

ORDERS = Table(
    name="orders",
    label_zh="订单",
    key=("order_id",),
    checks=(
        # paid more than the order was worth: kept, but someone should look
        CrossCheck(reason="paid_exceeds_total", field="paid_amount",
                   expr="paid_amount > total_amount", action="flag"),
        # refunded more than was paid: the refund amount cannot be right
        CrossCheck(reason="refund_exceeds_paid", field="refund_amount",
                   expr="refund_amount > paid_amount", action="clear"),
    ),
    generated_key_from=("member_id", "ordered_at", "store_id", "channel", "paid_amount"),
    columns=(
        Column(name="order_id", kind=Kind.ID, label_zh="订单号",
               synonyms=("订单号", "订单编号", "订单ID", "单号", "小票号", "order_id", "order_no",
                         "orderid", "order_number")),
        Column(name="member_id", kind=Kind.ID, label_zh="会员ID", required=True,
               synonyms=MEMBER_ID),
        Column(name="store_id", kind=Kind.ID, label_zh="门店编号",
               synonyms=("门店编号", "门店ID", "门店代码", "store_id", "shop_id")),
        Column(name="channel", kind=Kind.ENUM, label_zh="渠道", values=CHANNELS,
               synonyms=("渠道", "下单渠道", "销售渠道", "channel", "sales_channel")),
        Column(name="ordered_at", kind=Kind.TIMESTAMP, label_zh="下单时间", required=True,
               synonyms=("下单时间", "订单时间", "交易时间", "购买时间", "消费时间", "下单日期",
                         "ordered_at", "order_time", "order_date", "created_at", "paid_at")),
        Column(name="total_amount", kind=Kind.MONEY, label_zh="订单金额", min_value=0,
               max_value=1_000_000, flag_outliers=True,
               synonyms=("订单金额", "应付金额", "原价金额", "商品总额", "total_amount", "gmv",
                         "order_amount")),
        Column(name="discount_amount", kind=Kind.MONEY, label_zh="优惠金额", min_value=0,
               max_value=1_000_000,
               synonyms=("优惠金额", "折扣金额", "discount_amount", "discount")),
        Column(name="paid_amount", kind=Kind.MONEY, label_zh="实付金额", required=True,
               min_value=0, max_value=1_000_000, flag_outliers=True,
               synonyms=("实付金额", "实收金额", "支付金额", "消费金额", "paid_amount", "amount",
                         "payment", "pay_amount")),
        Column(name="coupon_code", kind=Kind.TEXT, label_zh="优惠券",
               synonyms=("优惠券", "优惠券码", "券码", "coupon_code", "coupon")),
        Column(name="status", kind=Kind.ENUM, label_zh="订单状态", values=ORDER_STATUSES,
               synonyms=("订单状态", "状态", "status", "order_status")),
        Column(name="refund_amount", kind=Kind.MONEY, label_zh="退款金额", min_value=0,
               max_value=1_000_000,
               synonyms=("退款金额", "refund_amount", "refund")),
    ),
)

ORDER_ITEMS = Table(
    name="order_items",
    label_zh="订单明细",
    key=("order_id", "line_no"),
    columns=(
        Column(name="order_id", kind=Kind.ID, label_zh="订单号", required=True,
               synonyms=("订单号", "订单编号", "order_id", "order_no")),
        Column(name="line_no", kind=Kind.INT, label_zh="行号", required=True, min_value=1,
               synonyms=("行号", "明细行号", "line_no", "line", "item_no")),
        Column(name="sku", kind=Kind.ID, label_zh="商品编码", required=True,
               synonyms=("商品编码", "SKU", "货号", "sku", "product_id", "item_id")),
        Column(name="quantity", kind=Kind.INT, label_zh="数量", required=True, min_value=1,
               max_value=10_000, synonyms=("数量", "件数", "quantity", "qty")),
        Column(name="unit_price", kind=Kind.MONEY, label_zh="单价", min_value=0,
               max_value=1_000_000, synonyms=("单价", "成交单价", "unit_price", "price")),
        Column(name="amount", kind=Kind.MONEY, label_zh="金额", min_value=0,
               max_value=1_000_000, flag_outliers=True,
               synonyms=("金额", "小计", "明细金额", "amount", "line_amount")),
    ),
)

EVENTS = Table(
    name="events",
    label_zh="行为事件",
    key=("event_id",),
    generated_key_from=("member_id", "anonymous_id", "event_type", "occurred_at", "sku",
                        "keyword"),
    upsert=False,
    columns=(
        Column(name="event_id", kind=Kind.ID, label_zh="事件ID",
               synonyms=("事件ID", "event_id")),
        Column(name="member_id", kind=Kind.ID, label_zh="会员ID", synonyms=MEMBER_ID),
        Column(name="anonymous_id", kind=Kind.ID, label_zh="匿名ID",
               synonyms=("匿名ID", "设备ID", "anonymous_id", "device_id", "cookie_id")),
        Column(name="event_type", kind=Kind.ENUM, label_zh="事件类型", required=True,
               values=EVENT_TYPES, synonyms=("事件类型", "行为", "event_type", "type", "event")),
        Column(name="occurred_at", kind=Kind.TIMESTAMP, label_zh="发生时间", required=True,
               synonyms=("发生时间", "时间", "occurred_at", "timestamp", "event_time", "ts")),
        Column(name="sku", kind=Kind.ID, label_zh="商品编码", synonyms=("商品编码", "sku")),
        Column(name="keyword", kind=Kind.TEXT, label_zh="搜索词",
               synonyms=("搜索词", "关键词", "keyword", "query", "search_term")),
        Column(name="channel", kind=Kind.ENUM, label_zh="渠道", values=CHANNELS,
               synonyms=("渠道", "channel")),
        Column(name="device", kind=Kind.TEXT, label_zh="设备", synonyms=("设备", "device")),
        Column(name="city", kind=Kind.TEXT, label_zh="城市", synonyms=("城市", "city")),
        Column(name="properties", kind=Kind.JSON, label_zh="属性",
               synonyms=("属性", "properties", "props", "extra")),
    ),
)

FEEDBACK = Table(
    name="feedback",
    label_zh="反馈",
    key=("feedback_id",),
    generated_key_from=("member_id", "kind", "created_at", "order_id", "sku", "content"),
    columns=(
        Column(name="feedback_id", kind=Kind.ID, label_zh="反馈ID",
               synonyms=("反馈ID", "评价ID", "feedback_id", "review_id")),
        Column(name="member_id", kind=Kind.ID, label_zh="会员ID", required=True,
               synonyms=MEMBER_ID),
        Column(name="order_id", kind=Kind.ID, label_zh="订单号", synonyms=("订单号", "order_id")),
        Column(name="sku", kind=Kind.ID, label_zh="商品编码", synonyms=("商品编码", "sku")),
        Column(name="kind", kind=Kind.ENUM, label_zh="反馈类型", required=True,
               values=FEEDBACK_KINDS, synonyms=("反馈类型", "类型", "kind", "type")),
        Column(name="rating", kind=Kind.INT, label_zh="评分", min_value=1, max_value=5,
               synonyms=("评分", "星级", "rating", "score", "stars")),
        Column(name="content", kind=Kind.TEXT, label_zh="内容",
               synonyms=("内容", "评价内容", "评论", "content", "review", "text", "comment")),
        Column(name="created_at", kind=Kind.TIMESTAMP, label_zh="反馈时间", required=True,
               synonyms=("反馈时间", "评价时间", "created_at", "time", "review_time")),
    ),
)

CANONICAL_TABLES: dict[str, Table] = {
    t.name: t for t in (MEMBERS, PRODUCTS, STORES, ORDERS, ORDER_ITEMS, EVENTS, FEEDBACK)
}
