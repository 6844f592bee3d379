-- One row per CP review conference with its due date (indicators.md, CPP_REVIEW_TIMELY): a
-- plan's first review is due start_date + 3 months, each later one previous review_date +
-- 6 months; in time = held on or before the due date. Reviews are matched to their plan by
-- cp_plan_id; a review whose plan is not in cp_plans has no start to count from and is left out.
with reviews as (
    select
        reviews.la_code,
        reviews.cp_plan_id,
        reviews.child_id,
        reviews.review_date,
        plans.start_date as plan_start_date,
        lag(reviews.review_date) over (
            partition by reviews.la_code, reviews.cp_plan_id order by reviews.review_date
        ) as previous_review_date
    from staging.stg_cp_reviews as reviews
    inner join staging.stg_cp_plans as plans
        on plans.la_code = reviews.la_code
        and plans.cp_plan_id = reviews.cp_plan_id
),

due as (
    select
        *,
        cast(
            case
                when previous_review_date is null then plan_start_date + interval 3 month
                else previous_review_date + interval 6 month
            end as date
        ) as due_date
    from reviews
)

select
    la_code,
    cp_plan_id,
    child_id,
    review_date,
    plan_start_date,
    previous_review_date,
    due_date,
    review_date <= due_date as is_timely
from due