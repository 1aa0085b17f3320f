# Alarms of a table. Thresholds are platform defaults (local.alarm_defaults); a service overrides
# or silences one per environment (overrides.alarms.<datastore>), with a reason.
# Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    throttles = { threshold = 0, min = 0, max = 1000000, unit = "throttled read + write events per 5 min" }
  }

  alarms = {
    "${var.name}-throttles" = {
      key                = "throttles"
      description        = "Read and write requests to table ${module.dynamodb.table_name} throttled by DynamoDB (events per 5 min, 2 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 2
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "reads", expression = null, label = "read throttles", namespace = "AWS/DynamoDB", metric = "ReadThrottleEvents", statistic = "Sum", dimensions = { TableName = module.dynamodb.table_name } },
        { id = "writes", expression = null, label = "write throttles", namespace = "AWS/DynamoDB", metric = "WriteThrottleEvents", statistic = "Sum", dimensions = { TableName = module.dynamodb.table_name } },
        { id = "throttles", expression = "reads + writes", label = "throttled events", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
  }
}
