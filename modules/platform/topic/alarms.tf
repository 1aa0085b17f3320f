# Alarms of a topic. Thresholds are platform defaults (local.alarm_defaults); a service overrides
# or silences one per environment (overrides.alarms.<datastore>), with a reason.
# Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    delivery_failures = { threshold = 0, min = 0, max = 1000000, unit = "messages" }
  }

  no_query = null

  alarms = {
    "${var.name}-delivery-failures" = {
      key                = "delivery_failures"
      description        = "Messages topic ${local.topic_name} failed to deliver to a subscription after SNS's retries (they went to the subscription's dead-letter queue or were lost) (count, 1 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 1
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = "AWS/SNS"
      metric             = "NumberOfNotificationsFailed"
      statistic          = "Sum"
      dimensions         = { TopicName = local.topic_name }
      queries            = local.no_query
    }
  }
}
