output "arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "table_name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "deletion_protection" {
  description = "Whether deletion protection is on."
  value       = aws_dynamodb_table.this.deletion_protection_enabled
}
