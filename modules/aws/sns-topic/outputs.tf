output "arn" {
  description = "ARN of the topic."
  value       = aws_sns_topic.this.arn
}

output "name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topic."
  value       = aws_kms_key.this.arn
}

output "subscriptions" {
  description = "Subscribed endpoints by protocol."
  value = {
    email = sort(keys(aws_sns_topic_subscription.email))
    https = sort(keys(aws_sns_topic_subscription.https))
  }
}
