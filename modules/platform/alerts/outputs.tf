output "topic_arn" {
  description = "ARN of the team's alert topic."
  value       = module.topic.arn
}

output "topic_name" {
  description = "Name of the team's alert topic (<team>-alerts)."
  value       = module.topic.name
}

output "subscriptions" {
  description = "Subscribed endpoints by protocol."
  value       = module.topic.subscriptions
}
