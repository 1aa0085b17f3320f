variable "name" {
  type        = string
  description = "Queue name without the .fifo suffix (added when fifo = true). The dead-letter queue is named <name>-dlq."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

variable "fifo" {
  type        = bool
  description = "Create FIFO queues (names get the .fifo suffix)."
  default     = false
}

variable "content_based_deduplication" {
  type        = bool
  description = "FIFO only: deduplicate on a SHA-256 of the body."
  default     = false
}

variable "dead_letter_queue" {
  type        = bool
  description = "Create a dead-letter queue and a redrive policy that moves a message there after max_receive_count receives."
  default     = true
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue (1-1000)."
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout in seconds (0-43200)."
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds
    error_message = "visibility_timeout_seconds must be a whole number between 0 and 43200."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "Message retention of the main queue in seconds (60-1209600). The dead-letter queue keeps messages for the maximum, 14 days."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number between 60 and 1209600 (14 days)."
  }
}

variable "kms_key_id" {
  type        = string
  description = "KMS key (ID, alias or ARN) for SSE-KMS. Null uses SQS-managed SSE (SSE-SQS)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for the queues."
  default     = {}
}

variable "allow_replacement" {
  type        = bool
  description = "Allow a plan that replaces the queue (a FIFO toggle), deleting its messages. false: such a plan fails."
  default     = false
}
