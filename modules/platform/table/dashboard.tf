# Dashboard widgets of the table (output dashboard_widgets).

locals {
  dashboard_widgets = [
    {
      title = "${module.dynamodb.table_name}: throttles and consumed capacity"
      metrics = [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", module.dynamodb.table_name, { stat = "Sum", label = "read throttles" }],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", module.dynamodb.table_name, { stat = "Sum", label = "write throttles" }],
        ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", module.dynamodb.table_name, { stat = "Sum", label = "read units", yAxis = "right" }],
        ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", module.dynamodb.table_name, { stat = "Sum", label = "write units", yAxis = "right" }],
      ]
    },
  ]
}
