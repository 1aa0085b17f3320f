output "url" {
  description = "URL of the queue."
  value       = aws_sqs_queue.this.url
}

output "arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "name" {
  description = "Name of the queue (with .fifo for FIFO queues)."
  value       = aws_sqs_queue.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue, null when dead_letter_queue = false."
  value       = try(aws_sqs_queue.dead_letter[0].arn, null)
}

output "dlq_url" {
  description = "URL of the dead-letter queue, null when dead_letter_queue = false."
  value       = try(aws_sqs_queue.dead_letter[0].url, null)
}
