# --- Queue inputs ---

variable "fifo" {
  type        = bool
  description = "FIFO queue (names get the .fifo suffix)."
  default     = false
}

variable "dead_letter_queue" {
  type        = bool
  description = "Create a dead-letter queue <name>-dlq with a redrive policy."
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
  description = "Message retention in seconds (60-1209600)."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number between 60 and 1209600 (14 days)."
  }
}

variable "allow_replacement" {
  type        = bool
  description = "Allow a plan that replaces the queue (a FIFO toggle), deleting its messages. false (the generated roots): such a plan fails."
  default     = false
}
