# Dashboard widgets of the queue (output dashboard_widgets).

locals {
  dashboard_widgets = [
    {
      title = "${module.sqs.name}: backlog"
      metrics = concat(
        [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", module.sqs.name, { stat = "Maximum", label = "visible" }],
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", module.sqs.name, { stat = "Maximum", label = "oldest (s)", yAxis = "right" }],
        ],
        var.dead_letter_queue ? [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.dlq_name, { stat = "Maximum", label = "dead letters" }]] : [],
      )
    },
  ]
}
