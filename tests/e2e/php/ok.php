<?php
echo "ok pid " . getmypid() . "\n";
