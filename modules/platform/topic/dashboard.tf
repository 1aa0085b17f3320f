# Dashboard widgets of the topic (output dashboard_widgets).

locals {
  dashboard_widgets = [
    {
      title = "${local.topic_name}: messages"
      metrics = [
        ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", local.topic_name, { stat = "Sum", label = "published" }],
        ["AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", local.topic_name, { stat = "Sum", label = "delivered" }],
        ["AWS/SNS", "NumberOfNotificationsFailed", "TopicName", local.topic_name, { stat = "Sum", label = "failed" }],
      ]
    },
  ]
}
