<?php
// Sleeps ?s= seconds: longer than the pool's request_terminate_timeout, so php-fpm kills the child.
$s = isset($_GET['s']) ? (float)$_GET['s'] : 10.0;
file_put_contents(getenv('E2E_STATE') . '/php-slow.pid', getmypid());
usleep((int)($s * 1000000));
echo "slow done\n";
