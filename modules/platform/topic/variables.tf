# --- Topic inputs ---

variable "account_id" {
  type        = string
  description = "The AWS account the topic is in: the policy of its own key (encryption = \"own\") names the account root and admits only the account's principals."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "fifo" {
  type        = bool
  description = "FIFO topic (the name gets the .fifo suffix; only FIFO queues can subscribe to it)."
  default     = false
}

variable "content_based_deduplication" {
  type        = bool
  description = "FIFO only: deduplicate messages by a SHA-256 of their body instead of a MessageDeduplicationId."
  default     = false
}

variable "encryption" {
  type        = string
  description = "Server-side encryption key: \"account\" (the account's AWS managed alias/aws/sns key) or \"own\" (a customer managed key of this topic, rotated yearly, usable only through SNS)."
  default     = "account"

  validation {
    condition     = contains(["account", "own"], var.encryption)
    error_message = "encryption must be \"account\" or \"own\"."
  }
}
