# The alarms of a platform module, built from the module's own local.alarms (alarms.tf): one
# CloudWatch metric alarm per entry that is not silenced, notifying var.alarm_topic_arn.
# Linked into service, database, cache, queue and table as alarm_resources.tf.

locals {
  alarm_actions = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]

  # Effective threshold and reason per alarm key, after the environment's overrides.
  alarm_thresholds = {
    for k, d in local.alarm_defaults : k => try(coalesce(var.alarm_overrides[k].threshold, d.threshold), d.threshold)
  }
  alarm_silenced = { for k, d in local.alarm_defaults : k => try(var.alarm_overrides[k].silenced, false) }
  alarm_reasons  = { for k, d in local.alarm_defaults : k => try(trimspace(var.alarm_overrides[k].reason), "") }

  active_alarms = { for name, a in local.alarms : name => a if !local.alarm_silenced[a.key] }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.active_alarms

  alarm_name = each.key
  alarm_description = join(" ", compact([
    each.value.description,
    "Threshold ${local.alarm_thresholds[each.value.key]} (alarm key ${each.value.key}).",
    local.alarm_reasons[each.value.key] == "" ? "" : "Override: ${local.alarm_reasons[each.value.key]}",
  ]))

  comparison_operator = each.value.comparison
  threshold           = local.alarm_thresholds[each.value.key]
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.evaluation_periods
  treat_missing_data  = each.value.treat_missing_data

  # A single metric, or metric math (each.value.queries) when the alarm needs a ratio.
  namespace          = each.value.queries == null ? each.value.namespace : null
  metric_name        = each.value.queries == null ? each.value.metric : null
  dimensions         = each.value.queries == null ? each.value.dimensions : null
  period             = each.value.queries == null ? each.value.period : null
  statistic          = each.value.queries == null && !startswith(coalesce(each.value.statistic, "-"), "p") ? each.value.statistic : null
  extended_statistic = each.value.queries == null && startswith(coalesce(each.value.statistic, "-"), "p") ? each.value.statistic : null

  dynamic "metric_query" {
    for_each = try({ for q in each.value.queries : q.id => q }, {})
    content {
      id          = metric_query.value.id
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = metric_query.value.expression != null

      dynamic "metric" {
        for_each = metric_query.value.expression == null ? [metric_query.value] : []
        content {
          namespace   = metric.value.namespace
          metric_name = metric.value.metric
          dimensions  = metric.value.dimensions
          period      = each.value.period
          stat        = metric.value.statistic
        }
      }
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags
}
