"""Channel-neutral dialogs and domain rules of hoctap."""
